/**
 * The Shiki themes of every code panel and fenced block, light and dark. GitHub's
 * high-contrast pair keeps every token at 4.5:1 or more on its own background (WCAG 1.4.3),
 * which the plain GitHub themes do not (comments at 3.0:1 in dark, orange at 3.5:1 in light).
 */
export const CODE_THEMES = { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' } as const;
