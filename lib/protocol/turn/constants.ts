/** TURN wire constants (RFC 8656), named after the RFC. */

/** RFC 8656 §17: Allocate (request/response only). */
export const METHOD_ALLOCATE = 0x003;
/** RFC 8656 §17: Refresh (request/response only). */
export const METHOD_REFRESH = 0x004;
/** RFC 8656 §17: Send (indication only). */
export const METHOD_SEND = 0x006;
/** RFC 8656 §17: Data (indication only). */
export const METHOD_DATA = 0x007;
/** RFC 8656 §17: CreatePermission (request/response only). */
export const METHOD_CREATE_PERMISSION = 0x008;
/** RFC 8656 §17: ChannelBind (request/response only). */
export const METHOD_CHANNEL_BIND = 0x009;

/** RFC 8656 §18.1: CHANNEL-NUMBER. */
export const ATTR_CHANNEL_NUMBER = 0x000c;
/** RFC 8656 §18.2: LIFETIME. */
export const ATTR_LIFETIME = 0x000d;
/** RFC 8656 §18.3: XOR-PEER-ADDRESS. */
export const ATTR_XOR_PEER_ADDRESS = 0x0012;
/** RFC 8656 §18.4: DATA. */
export const ATTR_DATA = 0x0013;
/** RFC 8656 §18.5: XOR-RELAYED-ADDRESS. */
export const ATTR_XOR_RELAYED_ADDRESS = 0x0016;
/** RFC 8656 §18.6: REQUESTED-ADDRESS-FAMILY. */
export const ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017;
/** RFC 8656 §18.7: EVEN-PORT. */
export const ATTR_EVEN_PORT = 0x0018;
/** RFC 8656 §18.8: REQUESTED-TRANSPORT. */
export const ATTR_REQUESTED_TRANSPORT = 0x0019;
/** RFC 8656 §18.9: DONT-FRAGMENT. */
export const ATTR_DONT_FRAGMENT = 0x001a;
/** RFC 8656 §18.10: RESERVATION-TOKEN. */
export const ATTR_RESERVATION_TOKEN = 0x0022;
/** RFC 8656 §18.11: ADDITIONAL-ADDRESS-FAMILY. */
export const ATTR_ADDITIONAL_ADDRESS_FAMILY = 0x8000;
/** RFC 8656 §18.12: ADDRESS-ERROR-CODE. */
export const ATTR_ADDRESS_ERROR_CODE = 0x8001;
/** RFC 8656 §18.13: ICMP. */
export const ATTR_ICMP = 0x8004;

/** RFC 8656 §18.8: protocol number of UDP in REQUESTED-TRANSPORT (the only one RFC 8656 relays). */
export const TRANSPORT_UDP = 17;

/** RFC 8656 §12: lowest channel number a client may bind. */
export const CHANNEL_NUMBER_MIN = 0x4000;
/** RFC 8656 §12: highest channel number a client may bind (0x5000–0x7FFF became reserved in RFC 8656). */
export const CHANNEL_NUMBER_MAX = 0x4fff;
/**
 * RFC 5766 §11: the older, wider range 0x4000–0x7FFF. netready accepts it because the clients that matter still
 * pick from it: libwebrtc (Chrome) has `kMaxChannelNumber = 0x7FFF` in turn_port.cc and coturn's
 * turnutils_uclient does the same, so a server enforcing 0x4FFF refuses most of their ChannelBinds with 400.
 */
export const CHANNEL_NUMBER_MAX_RFC5766 = 0x7fff;
/** RFC 8656 §12.4: the ChannelData header is 4 bytes. */
export const CHANNEL_DATA_HEADER_BYTES = 4;

/** RFC 8656 §6: default allocation lifetime, 600 s. */
export const DEFAULT_ALLOCATION_LIFETIME_S = 600;
/** RFC 8656 §9: "The Permission Lifetime MUST be 300 seconds". */
export const PERMISSION_LIFETIME_S = 300;
/** RFC 8656 §12: "A channel binding lasts for 10 minutes unless refreshed". */
export const CHANNEL_BINDING_LIFETIME_S = 600;
