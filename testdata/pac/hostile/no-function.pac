// Broken: no FindProxyForURL at all (a misspelt name).
function FindProxyForUrl(url, host) { return "DIRECT"; }
