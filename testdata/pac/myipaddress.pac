// Location rules: in the branch office (198.51.100.0/24) through the branch proxy, elsewhere direct.
function FindProxyForURL(url, host) {
  if (isInNet(myIpAddress(), "198.51.100.0", "255.255.255.0")) return "PROXY branch-proxy.corp.example:8080";
  return "DIRECT";
}
