/**
 * A `200` JSON response for an answer that is not known yet: a held long poll. The endpoint
 * returns it at once, so the framework's request handling finishes instead of staying
 * suspended (with its context objects) for as long as the request is held. The body follows
 * in one piece when `answer` settles. An empty first chunk makes Node send the status and
 * headers at once (a client learns the poll's promised timeout while it waits).
 *
 * Only for answers that cannot fail once waiting has begun: by then the status is fixed.
 */
export function deferredJsonResponse<T>(answer: Promise<T>, encode: (answer: T) => Uint8Array, onSettled?: () => void): Response {
  return new Response(new ReadableStream(new DeferredBody(answer, encode, onSettled)), {
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

/** The stream's source, as a class: its methods are shared, so a held request pays for no closures of it. */
class DeferredBody<T> implements UnderlyingDefaultSource<Uint8Array> {
  #cancelled = false;
  constructor(
    private readonly answer: Promise<T>,
    private readonly encode: (answer: T) => Uint8Array,
    private readonly onSettled?: () => void,
  ) {}

  start(controller: ReadableStreamDefaultController<Uint8Array>) {
    controller.enqueue(new Uint8Array(0)); // the headers go out now, the body when the answer settles
    this.answer.then(
      (value) => {
        this.onSettled?.();
        if (this.#cancelled) return; // the client left while we waited
        controller.enqueue(this.encode(value));
        controller.close();
      },
      (error: unknown) => {
        this.onSettled?.();
        console.error('A held response failed after its status was sent:', error);
        if (!this.#cancelled) controller.error(error); // the connection is cut: the client retries
      },
    );
  }

  /** The client went away (the Node adapter cancels the body when the connection closes). */
  cancel() {
    this.#cancelled = true;
  }
}
