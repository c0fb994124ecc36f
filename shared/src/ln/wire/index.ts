/**
 * The Lightning wire messages of BOLT 1 (01-messaging.md) and BOLT 2 (02-peer-protocol.md), one
 * import for their callers: `encodeMessage` / `decodeMessage` over the `WireMessage` union, each
 * message's type and definition, and the helpers the spec's rules call for.
 */
export * from './channel-close.js';
export * from './channel-establishment.js';
export * from './channel-reestablish.js';
export * from './error.js';
export * from './init.js';
export * from './normal-operation.js';
export * from './ping.js';
export * from './registry.js';
export type { MessageDefinition, MessageOf } from './message.js';
