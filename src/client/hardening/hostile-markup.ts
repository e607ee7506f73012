/**
 * The "messages inserted as HTML" demo: a hostile message, the original's way of showing it
 * (as markup, here only inside a sandboxed frame that may not run scripts), and a list of what
 * a browser would build from it, read from an inert document that runs and loads nothing.
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
 * What a browser makes of `text` as HTML. DOMParser builds an inert document: no script in
 * it runs and nothing loads, so reading it is safe.
 */
export function findMarkup(text: string): MarkupFinding[] {
  const parsed = new DOMParser().parseFromString(`<body>${text}`, 'text/html');
  return [...parsed.body.querySelectorAll('*')].map((element) => {
    const handlers = [...element.attributes].filter((attribute) => /^on/i.test(attribute.name));
    const scriptUrls = [...element.attributes].filter((attribute) => /^\s*javascript:/i.test(attribute.value));
    const isScript = element.localName === 'script';
    const runsCode = isScript || handlers.length > 0 || scriptUrls.length > 0;
    const detail = isScript
      ? 'a script: runs code'
      : runsCode
        ? `${[...handlers, ...scriptUrls].map((attribute) => `${attribute.name}="${attribute.value.slice(0, 40)}"`).join(', ')}: runs code`
        : 'markup: changes how the page looks';
    return { element: `<${element.localName}>`, detail, runsCode };
  });
}
