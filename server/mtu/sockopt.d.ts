/**
 * Types for `sockopt` 2 (derhuerst/node-sockopt, ISC; no @types package exists): integer getsockopt/setsockopt on
 * a Node socket. It reads the file descriptor from `socket._handle.fd`, so any object with that shape works — which
 * server/mtu/socket-options.ts uses to hand it the descriptor without Node's deprecated `dgram.Socket#_handle`.
 */
declare module 'sockopt' {
  /** What sockopt reads: an object whose `_handle.fd` is an open socket's file descriptor. */
  export interface SocketWithFd {
    _handle: { fd: number };
  }
  /** getsockopt(2) of an integer option; throws an Error with the errno text on failure. */
  export function getsockopt(socket: SocketWithFd, level: number, option: number): number;
  /** setsockopt(2) of an integer option; throws an Error with the errno text on failure. */
  export function setsockopt(socket: SocketWithFd, level: number, option: number, value: number): void;
}
