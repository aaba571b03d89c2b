// Hostile: recurses without end.
function FindProxyForURL(url, host) {
  return FindProxyForURL(url, host + ".");
}
