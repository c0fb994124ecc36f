/**
 * vigil-manager: the off-chain side of a Vigil node (peers, channels, payments). Every channel
 * change becomes a ChannelMonitorUpdate streamed to the monitors. See DESIGN.md; built from issue 4 on.
 */
export {};
