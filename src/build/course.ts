import { getCollection, type CollectionEntry } from 'astro:content';

export type Lesson = CollectionEntry<'lessons'>;

export const ARTICLE_URL = 'http://www.zeitoun.net/articles/comet_and_php/start';

/** Every lesson in course order; fails the build if two lessons claim the same place. */
export async function getCourse(): Promise<Lesson[]> {
  const lessons = (await getCollection('lessons')).sort((a, b) => a.data.order - b.data.order);
  lessons.forEach((lesson, index) => {
    const next = lessons[index + 1];
    if (next && next.data.order === lesson.data.order) {
      throw new Error(`Lessons "${lesson.id}" and "${next.id}" both have order ${lesson.data.order}; expected unique orders.`);
    }
  });
  return lessons;
}

export const lessonUrl = (lesson: Lesson) => `/lessons/${lesson.id}/`;

export function articleLink(lesson: Lesson): string {
  return lesson.data.articleAnchor ? `${ARTICLE_URL}#${lesson.data.articleAnchor}` : ARTICLE_URL;
}
