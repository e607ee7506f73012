/**
 * The largest semi-space of V8's young generation the server runs with, in MiB (Node's
 * `--max-semi-space-size`; V8's default grows to 16 MiB and more per semi-space). A server
 * that holds thousands of idle requests keeps every one of them alive across collections, and
 * V8 answers such survival by growing its young generation to the maximum: at 5,000 held polls
 * that growth is counted as RSS per poll (the bench's one-process comparison runs the site with
 * and without these flags; see the scale-out lesson's "One process first"). A smaller young
 * generation collects more often: at 8 MiB the bench's fan-out and request rate stayed within
 * their noise; at 2 MiB (an ad hoc run, not committed) the request rate fell by about a fifth.
 */
export const YOUNG_GENERATION_SEMI_SPACE_MIB = 8;

/**
 * The flags `node` runs the server with: package.json's `start` and `serve` scripts pass them
 * (a test keeps them in step with this list), cluster workers inherit them, and the tests and
 * the bench start the site with them too.
 */
export const SERVER_NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${YOUNG_GENERATION_SEMI_SPACE_MIB}`];
