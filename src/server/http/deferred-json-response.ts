/**
 * A `200` JSON response for an answer that is not known yet: a held long poll. The endpoint
 * returns it at once, so the request's handling finishes instead of staying suspended (with
 * its context objects) for as long as the request is held. The status and headers can go out
 * at once (a client learns the poll's promised timeout while it waits); the body follows in
 * one piece when `answer` settles.
 *
 * Two ways to send it: the server's edge takes the body's bytes from `heldBodyOf` and writes
 * them itself, so a held request keeps no stream or reader; any other reader (`astro dev`, a
 * test) reads the body stream, which starts with an empty chunk (the headers go out then).
 *
 * Only for answers that cannot fail once waiting has begun: by then the status is fixed. If
 * `answer` rejects anyway, the error is logged and the connection is cut (the client retries).
 * @param onSettled called once when `answer` settles (e.g. to release the request's place)
 */
export function deferredJsonResponse<T>(answer: Promise<T>, encode: (answer: T) => Uint8Array, onSettled?: () => void): Response {
  const bytes = answer.then(
    (value) => {
      onSettled?.();
      return encode(value);
    },
    (error: unknown) => {
      onSettled?.();
      console.error('A held response failed after its status was sent:', error);
      return undefined;
    },
  );
  const response = new Response(new ReadableStream(new DeferredBody(bytes), { highWaterMark: 0 }), {
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
  heldBodies.set(response, bytes);
  return response;
}

/**
 * The bytes of a response made by `deferredJsonResponse` once its answer is known (`undefined`
 * if it failed: cut the connection), or `undefined` for any other response.
 */
export function heldBodyOf(response: Response): Promise<Uint8Array | undefined> | undefined {
  return heldBodies.get(response);
}

const heldBodies = new WeakMap<Response, Promise<Uint8Array | undefined>>();

/**
 * The body stream's source, as a class (its methods are shared: a held request pays for no
 * closures of it). Nothing happens until somebody reads (`highWaterMark: 0`).
 */
class DeferredBody implements UnderlyingDefaultSource<Uint8Array> {
  #headersSent = false;
  readonly #bytes: Promise<Uint8Array | undefined>;
  constructor(bytes: Promise<Uint8Array | undefined>) {
    this.#bytes = bytes;
  }

  async pull(controller: ReadableStreamDefaultController<Uint8Array>) {
    if (!this.#headersSent) {
      this.#headersSent = true;
      controller.enqueue(new Uint8Array(0)); // the headers go out now, the body when the answer is known
      return;
    }
    const bytes = await this.#bytes;
    if (!bytes) return controller.error(new Error('the held answer failed'));
    controller.enqueue(bytes);
    controller.close();
  }
}
