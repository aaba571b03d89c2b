// Broken: a missing closing brace.
function FindProxyForURL(url, host) {
  if (dnsDomainIs(host, ".corp.example")) { return "DIRECT";
