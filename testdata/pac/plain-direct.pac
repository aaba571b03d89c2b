// Everything direct: the PAC of a network without a proxy.
function FindProxyForURL(url, host) {
  return "DIRECT";
}
