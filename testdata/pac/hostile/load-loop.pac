// Hostile: the top-level code never finishes, before FindProxyForURL is ever called.
for (;;) {}
function FindProxyForURL(url, host) { return "DIRECT"; }
