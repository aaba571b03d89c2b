// Domain rules with dnsDomainIs and localHostOrDomainIs, and a failover list of two proxies then DIRECT.
function FindProxyForURL(url, host) {
  if (localHostOrDomainIs(host, "intranet.corp.example")) return "DIRECT";
  if (dnsDomainIs(host, ".corp.example")) return "DIRECT";
  if (dnsDomainLevels(host) == 0) return "DIRECT";
  return "PROXY a.corp.example:3128; PROXY b.corp.example:8080; DIRECT";
}
