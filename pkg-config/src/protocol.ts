/** Messages between {@link SparrowWorker} and the worker (internal). @module */

/** A call into the worker. */
export interface Request {
  id: number;
  method: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  args: any[];
}

/** A reply: a result, an error, or a progress report for a pending call. */
export interface Response {
  id: number;
  result?: unknown;
  error?: { code: string; message: string };
  progress?: [number, number];
}
