/**
 * Every diagnosis rule, in the order findings are listed when severities tie.
 */
import type { Rule } from '../types';
import { relayOnly } from './relay-only';
import { serverUnreachable } from './server-unreachable';
import { turnTcpFailed, turnTlsFailed, turnUdpFailed } from './turn-transport-failed';
import { udpBlocked } from './udp-blocked';
import { udpPortsRestricted } from './udp-ports-restricted';

/** All rules. */
export const RULES: readonly Rule[] = [serverUnreachable, udpBlocked, udpPortsRestricted, turnUdpFailed, turnTcpFailed, turnTlsFailed, relayOnly];
