// Rules that resolve the host first (dnsResolve, isResolvable): decided by the client's internal DNS.
function FindProxyForURL(url, host) {
  if (!isResolvable(host)) return "PROXY proxy.corp.example:3128";
  var ip = dnsResolve(host);
  if (isInNet(ip, "10.0.0.0", "255.0.0.0")) return "DIRECT";
  return "PROXY proxy.corp.example:3128; DIRECT";
}
