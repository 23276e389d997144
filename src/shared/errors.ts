/**
 * One error base class with a stable `code` and a classification, in the manner of undici's
 * errors: callers branch on `code` or `kind`, never on message text.
 */
export type ErrorKind = 'terminal' | 'transient' | 'conflict';

export class PhoenixError extends Error {
  override readonly name: string = 'PhoenixError';
  readonly code: string;
  readonly kind: ErrorKind;

  constructor(code: string, message: string, options: { kind?: ErrorKind; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.kind = options.kind ?? 'terminal';
  }
}

/** A binary the project provisions is not where the provisioner puts it. */
export class ToolMissingError extends PhoenixError {
  override readonly name = 'ToolMissingError';
  constructor(tool: string, path: string) {
    super(
      'PHOENIX_TOOL_MISSING',
      `${tool} not found at ${path}; run 'npm run tools' (scripts/provision.sh) to build or download it`,
    );
  }
}

/** A local process (etcd, kube-apiserver, FerretDB, ...) failed to start or become ready. */
export class ProcessStartError extends PhoenixError {
  override readonly name = 'ProcessStartError';
  constructor(name: string, detail: string, cause?: unknown) {
    super('PHOENIX_PROCESS_START', `${name} did not start: ${detail}`, { cause });
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
