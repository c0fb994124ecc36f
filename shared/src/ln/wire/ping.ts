/**
 * The `ping` and `pong` messages, BOLT 1 "The `ping` and `pong` Messages" (01-messaging.md):
 * keep-alives whose padding (`ignored`) also lets a node send synthetic traffic.
 *
 * The 65535-byte message limit caps `pong`'s padding at 65531 bytes, which is why a `ping`
 * asking for 65532 or more expects no reply; answering is the peer layer's job.
 */
import { u16 } from '../fundamental.js';
import { type MessageOf, defineMessage } from './message.js';
import { u16Bytes } from './types.js';

export const pingMessage = defineMessage(18, 'ping', { numPongBytes: u16, ignored: u16Bytes });
export const pongMessage = defineMessage(19, 'pong', { ignored: u16Bytes });

/** `ping`: asks for a `pong` with `numPongBytes` of padding; `ignored` is padding too. */
export type Ping = MessageOf<typeof pingMessage>;
/** `pong`: the reply, its padding as long as the `ping` asked. */
export type Pong = MessageOf<typeof pongMessage>;
