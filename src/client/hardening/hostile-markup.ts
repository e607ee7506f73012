/**
 * The "messages inserted as HTML" demo: a hostile message, the original's way of showing it
 * (as markup, here only inside a sandboxed frame that may not run scripts), and a list of the
 * elements a browser would build from it.
 */

/** Markup whose error handler would run code in the page of everyone reading the chat. */
export const HOSTILE_MESSAGE = `<img src="missing.png" onerror="alert('This ran in your page')"><b> Free prizes, click here!</b>`;

/** The original's display, as a document of its own: the message appended as HTML inside a div. */
export function originalDisplay(text: string): string {
  return `<!doctype html><meta charset="utf-8"><body style="font: 15px system-ui, sans-serif; margin: 0.5rem; color: #1c1d21; background: #fff"><div>${text}</div></body>`;
}

export interface MarkupFinding {
  /** e.g. `<img>` */
  element: string;
  /** What the element would do, e.g. `onerror="…": runs code` */
  detail: string;
  runsCode: boolean;
}

/**
 * The tags and attributes in `text`, read as text: a browser would build these elements and
 * run the handlers. (Parsing it with DOMParser would be inert too, but Chromium still reports
 * each inline handler it declines as a policy violation of this page, which would muddy the demo.)
 */
const START_TAG = /<([a-zA-Z][\w-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
const ATTRIBUTE = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

export function findMarkup(text: string): MarkupFinding[] {
  return [...text.matchAll(START_TAG)].map(([, tag, rest]) => {
    const name = tag!.toLowerCase();
    const attributes = [...rest!.matchAll(ATTRIBUTE)].map(([, attribute, double, single, bare]) => ({
      name: attribute!.toLowerCase(),
      value: double ?? single ?? bare ?? '',
    }));
    const handlers = attributes.filter((attribute) => attribute.name.startsWith('on'));
    const scriptUrls = attributes.filter((attribute) => /^\s*javascript:/i.test(attribute.value));
    const isScript = name === 'script';
    const runsCode = isScript || handlers.length > 0 || scriptUrls.length > 0;
    const detail = isScript
      ? 'a script: runs code'
      : runsCode
        ? `${[...handlers, ...scriptUrls].map((attribute) => `${attribute.name}="${attribute.value.slice(0, 40)}"`).join(', ')}: runs code`
        : 'markup: changes how the page looks';
    return { element: `<${name}>`, detail, runsCode };
  });
}
