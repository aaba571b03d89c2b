// Hostile: FindProxyForURL never returns.
function FindProxyForURL(url, host) {
  while (true) {}
}
