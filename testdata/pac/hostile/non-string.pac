// Broken: returns a number, not a string.
function FindProxyForURL(url, host) { return 42; }
