// Rules on the URL's scheme and port, as written for WebRTC: TURN's TCP ports direct, other HTTPS via the proxy.
function FindProxyForURL(url, host) {
  if (url.substring(0, 6) == "https:" && (shExpMatch(url, "*:3478/*") || shExpMatch(url, "*:5349/*"))) return "DIRECT";
  if (url.substring(0, 5) == "http:") return "PROXY proxy.corp.example:3128";
  return "HTTPS secure-proxy.corp.example:443; PROXY proxy.corp.example:3128";
}
