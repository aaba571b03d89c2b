// Shell-expression rules on the host and the URL, the commonest PAC shape.
function FindProxyForURL(url, host) {
  if (shExpMatch(host, "*.corp.example") || shExpMatch(host, "corp.example")) return "DIRECT";
  if (shExpMatch(url, "http://*")) return "PROXY proxy.corp.example:3128";
  if (shExpMatch(host, "turn.meet.example") || shExpMatch(host, "*.media.meet.example")) return "DIRECT";
  return "PROXY proxy.corp.example:3128; DIRECT";
}
