/**
 * The one error type of the client: a failed request, a refused REST call, a timeout or a closed
 * connection. `code` is the server's snake_case code (`forbidden`, `too_late`, …) or one of the
 * client's own: `timeout`, `disconnected`, `closed`, `network_error`, `http_<status>`.
 */
export class ConveneError extends Error {
  constructor(message, { code = 'unknown', status, type, errors, details, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ConveneError';
    this.code = code;
    if (status !== undefined) this.status = status;
    if (type !== undefined) this.type = type;
    if (errors !== undefined) this.errors = errors;
    if (details !== undefined) this.details = details;
  }

  /** An error from a REST answer: problem+json when the server sent it, else the status alone. */
  static fromResponse(status, body, text) {
    if (body && typeof body === 'object' && typeof body.code === 'string') {
      return new ConveneError(body.detail || body.title || body.code, {
        code: body.code,
        status,
        errors: Array.isArray(body.errors) ? body.errors : undefined,
        details: body,
      });
    }
    const snippet = typeof text === 'string' && text.length > 0 ? `: ${text.slice(0, 200)}` : '';
    return new ConveneError(`HTTP ${status}${snippet}`, { code: `http_${status}`, status });
  }

  /** An error from a socket request's error ack. */
  static fromAck(type, error) {
    const code = error && typeof error.code === 'string' ? error.code : 'unknown';
    const message = error && typeof error.message === 'string' ? error.message : `${type} failed`;
    return new ConveneError(message, { code, type, details: error });
  }
}
