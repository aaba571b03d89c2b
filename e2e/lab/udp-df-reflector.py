#!/usr/bin/env python3
"""Ground truth for the lab's MTU rows, independent of netready: a UDP reflector that answers each request
(the wanted IP datagram size as ASCII digits) with a datagram of exactly that IP size, sent with Don't-Fragment and
never fragmented (Linux IP_MTU_DISCOVER = IP_PMTUDISC_PROBE). Run in the server namespace:
    udp-df-reflector.py <bind ip> <port> <seconds>
It prints "ready" once bound and exits after <seconds> without a request."""
import socket
import sys

IP_MTU_DISCOVER = 10  # <linux/in.h>
IP_PMTUDISC_PROBE = 3
IPV4_UDP_HEADERS = 28

ip, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE)
sock.bind((ip, port))
sock.settimeout(seconds)
print("ready", flush=True)
try:
    while True:
        data, addr = sock.recvfrom(64)
        try:
            size = int(data.decode("ascii").strip())
        except ValueError:
            continue
        if IPV4_UDP_HEADERS < size <= 9000:
            sock.sendto(b"x" * (size - IPV4_UDP_HEADERS), addr)
except socket.timeout:
    pass
