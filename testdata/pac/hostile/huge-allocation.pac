// Hostile: allocates without bound (8 MiB at a time, kept).
function FindProxyForURL(url, host) {
  var hoard = [];
  for (;;) hoard.push(new ArrayBuffer(8 * 1024 * 1024));
}
