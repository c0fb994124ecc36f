/** Generated protobuf messages for the Vigil protocols (see proto/vigil/). */
export * from './gen/vigil/common/v1/chain_pb.js';
export * from './gen/vigil/monitor/v1/model_pb.js';
