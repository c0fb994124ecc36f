/**
 * Generated protobuf messages and services for the Vigil protocols (see proto/vigil/ and
 * proto/grpc/), plus the protobuf-es functions that build and (de)serialise them, so a workspace
 * that speaks the protocols depends on this package alone. The grpc-js bridge is
 * `@vigil/proto/grpc-bridge`.
 */
export { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
export * from './gen/grpc/health/v1/health_pb.js';
export * from './gen/vigil/common/v1/chain_pb.js';
export * from './gen/vigil/monitor/v1/model_pb.js';
export * from './gen/vigil/monitor/v1/monitor_pb.js';
