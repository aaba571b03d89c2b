// Address-range rules: private and documentation ranges direct, plain host names direct, the rest via the proxy.
// isInNet on a name needs DNS — on netready's server that name stays unresolved and is reported.
function FindProxyForURL(url, host) {
  if (isPlainHostName(host)) return "DIRECT";
  if (isInNet(host, "10.0.0.0", "255.0.0.0") ||
      isInNet(host, "192.0.2.0", "255.255.255.0") ||
      isInNet(host, "127.0.0.0", "255.0.0.0")) return "DIRECT";
  return "PROXY proxy.corp.example:3128";
}
