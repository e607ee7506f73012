import { recordPractice } from '../exercises/record-practice.ts';

/**
 * `<check-understanding data-lesson="slug">`: questions checked in the page, with no server
 * call. Each question is a fieldset of radio buttons and a Check button; the feedback
 * (right or not, and why) goes into a live region that screen readers announce. A right
 * answer also reveals why each other answer is wrong, and counts towards progress.
 */
class CheckUnderstanding extends HTMLElement {
  connectedCallback() {
    const lesson = this.dataset.lesson ?? '';
    this.querySelectorAll<HTMLFormElement>('form[data-question]').forEach((form) => {
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        this.#check(form, lesson);
      });
    });
  }

  #check(form: HTMLFormElement, lesson: string) {
    const feedback = form.querySelector<HTMLElement>('[data-feedback]')!;
    const chosen = form.querySelector<HTMLInputElement>('input[type="radio"]:checked');
    if (!chosen) {
      feedback.textContent = 'Choose an answer first.';
      feedback.dataset.result = 'none';
      return;
    }
    const right = chosen.dataset.correct === 'true';
    const explanation = form.querySelector<HTMLElement>(`[data-explanation="${chosen.value}"]`)?.textContent ?? '';
    feedback.dataset.result = right ? 'right' : 'wrong';
    feedback.textContent = `${right ? 'Right.' : 'Not quite.'} ${explanation}`;
    form.querySelectorAll<HTMLElement>('[data-answer]').forEach((answer) => {
      const input = answer.querySelector('input')!;
      answer.dataset.marked = input === chosen ? (right ? 'right' : 'wrong') : right && input.dataset.correct !== 'true' ? 'other' : '';
      answer.querySelector<HTMLElement>('[data-explanation]')!.hidden = !(input === chosen || right);
    });
    if (right) recordPractice({ kind: 'quiz', id: `${lesson}/${form.dataset.question}` });
  }
}

customElements.define('check-understanding', CheckUnderstanding);
