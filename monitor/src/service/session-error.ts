/**
 * An error that ends a session with a gRPC status (the service edge): the code the stream closes
 * with and a message that names what was wrong. Never carries secret material.
 */
import type { status } from '@grpc/grpc-js';

export class SessionError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}
