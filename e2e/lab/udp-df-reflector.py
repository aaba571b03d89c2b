#!/usr/bin/env python3
"""Ground truth for the lab's MTU rows, independent of netready: which IP datagram sizes cross the network with
Don't-Fragment set, in each direction. Every datagram this tool sends has DF set and is never fragmented by the
sender (Linux IP_MTU_DISCOVER = IP_PMTUDISC_PROBE).

    udp-df-reflector.py serve <bind ip> <port> <seconds>
        In the server namespace. "down <N>" is answered with a datagram of exactly N IP bytes; "up <N>", which arrives
        padded to N IP bytes, with a short "got <N>". Prints "ready" once bound; exits after <seconds> of silence.
    udp-df-reflector.py probe <server ip> <port> <sizes,comma-separated>
        In the client namespace. Tries each size down and up (3 tries, 0.4 s apart) and prints
        {"down": [sizes that arrived], "up": [sizes that arrived]} as JSON."""
import json
import socket
import sys
import time

IP_MTU_DISCOVER = 10  # <linux/in.h>
IP_PMTUDISC_PROBE = 3
IPV4_UDP_HEADERS = 28


def df_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE)
    return sock


def serve(ip, port, seconds):
    sock = df_socket()
    sock.bind((ip, port))
    sock.settimeout(seconds)
    print("ready", flush=True)
    try:
        while True:
            data, addr = sock.recvfrom(65535)
            words = data[:16].decode("ascii", "replace").split()
            if len(words) < 2 or not words[1].isdigit():
                continue
            size = int(words[1])
            if words[0] == "down" and IPV4_UDP_HEADERS < size <= 9000:
                sock.sendto(b"x" * (size - IPV4_UDP_HEADERS), addr)
            elif words[0] == "up" and len(data) + IPV4_UDP_HEADERS == size:
                sock.sendto(("got %d" % size).encode("ascii"), addr)
    except socket.timeout:
        pass


def probe(ip, port, sizes):
    sock = df_socket()
    sock.settimeout(0.05)
    down, up = set(), set()
    for _ in range(3):
        for size in sizes:
            if size not in down:
                sock.sendto(("down %d" % size).encode("ascii"), (ip, port))
            if size not in up:
                head = ("up %d " % size).encode("ascii")
                sock.sendto(head + b"." * (size - IPV4_UDP_HEADERS - len(head)), (ip, port))
        deadline = time.time() + 0.4
        while time.time() < deadline:
            try:
                data, _ = sock.recvfrom(65535)
            except socket.timeout:
                continue
            if data.startswith(b"got "):
                up.add(int(data[4:].decode("ascii")))
            else:
                down.add(len(data) + IPV4_UDP_HEADERS)
    print(json.dumps({"down": sorted(down), "up": sorted(up)}))


if sys.argv[1] == "serve":
    serve(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
else:
    probe(sys.argv[2], int(sys.argv[3]), [int(n) for n in sys.argv[4].split(",")])
