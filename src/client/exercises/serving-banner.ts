import { recordPractice } from './record-practice.ts';

/**
 * `<exercise-banner data-passed="a b">`, present only in a site built by
 * `npm run exercise -- <name> --serve`: the exercises this learner has passed (from the local
 * progress file) count towards the progress shown in the browser.
 */
class ExerciseBanner extends HTMLElement {
  connectedCallback() {
    for (const name of (this.dataset.passed ?? '').split(' ').filter(Boolean)) recordPractice({ kind: 'exercise', id: name });
  }
}

customElements.define('exercise-banner', ExerciseBanner);
