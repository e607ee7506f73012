import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

/** Lesson files are named `NN-slug.mdx`; the number orders the files on disk, the slug is the URL. */
const lessonId = ({ entry }: { entry: string }) => entry.replace(/\.mdx$/, '').replace(/^\d+-/, '');

const lessons = defineCollection({
  loader: glob({ pattern: '*.mdx', base: './src/content/lessons', generateId: lessonId }),
  schema: z
    .object({
      title: z.string().min(1).describe('The lesson title, shown as its page heading and in the course map.'),
      summary: z
        .string()
        .min(1)
        .max(160)
        .describe('One line for the course map: what the learner sees or builds in this lesson.'),
      order: z
        .number()
        .positive()
        .describe('Sorts the lessons into course order (each lesson has its own value); pages number them 1, 2, 3 … in that order.'),
      technique: z
        .enum(['polling', 'busy-loop', 'forever-frame', 'long-poll', 'reconnection', 'hardening', 'measurement', 'server-sent-events', 'websocket', 'scale-out'])
        .describe('The push technique the lesson is about, shown as a tag.'),
      testCommand: z
        .string()
        .regex(/^npm run test:lesson --( [a-z0-9-]+)+$/, 'Expected "npm run test:lesson -- <name> [<name> …]"')
        .describe(
          "The exact command that runs this lesson's tests; each <name> selects every test file whose path contains it.",
        ),
      articleSection: z
        .string()
        .min(1)
        .optional()
        .describe('The part of the original article this lesson follows, shown in the footer link; omit it for lessons beyond the article.'),
      articleAnchor: z
        .string()
        .regex(/^[a-z0-9_]+$/)
        .optional()
        .describe("The fragment of that part in the original article's address, if it has one."),
      outcomes: z
        .array(z.string().min(1))
        .default([])
        .describe('What the learner will be able to do after the lesson, one short sentence each ("Explain why …").'),
      prerequisites: z
        .array(z.string().min(1))
        .default([])
        .describe('What the lesson assumes the learner already knows or has done, one short item each.'),
      recap: z
        .array(z.string().min(1))
        .default([])
        .describe('The lesson in a few sentences, shown in a short recap at its end.'),
      sources: z
        .array(
          z
            .object({
              title: z.string().min(1).describe('The source\'s name, e.g. "RFC 6202: Known Issues and Best Practices for Long Polling and Streaming".'),
              url: z.url().describe('Its public address, with a fragment for the section where there is one.'),
              section: z.string().min(1).optional().describe('The section relied on, e.g. "§2.2 HTTP Long Polling Issues".'),
              note: z.string().min(1).optional().describe('What the lesson takes from it, in one line.'),
            })
            .strict(),
        )
        .default([])
        .describe('The primary sources the lesson relies on, listed under "Sources and further reading".'),
    })
    .strict(),
});

/**
 * "Check your understanding" at the end of a lesson: `src/content/questions/<lesson slug>.yaml`
 * holds 3–5 questions, each with 2–5 answers, exactly one of them right, and an explanation
 * for every answer (why it is right, or why it is not).
 */
const questions = defineCollection({
  loader: glob({ pattern: '*.yaml', base: './src/content/questions' }),
  schema: z
    .object({
      questions: z
        .array(
          z
            .object({
              question: z.string().min(1).describe('The question, one or two sentences.'),
              answers: z
                .array(
                  z
                    .object({
                      text: z.string().min(1).describe('The answer as the learner reads it.'),
                      correct: z.boolean().default(false).describe('True for the one right answer.'),
                      explanation: z.string().min(1).describe('Why this answer is right, or why it is not.'),
                    })
                    .strict(),
                )
                .min(2)
                .max(5)
                .refine((answers) => answers.filter((answer) => answer.correct).length === 1, {
                  message: 'Expected exactly one answer with "correct: true".',
                })
                .describe('The choices, in the order shown.'),
            })
            .strict(),
        )
        .min(3)
        .max(5)
        .describe("The lesson's questions, in the order shown."),
    })
    .strict(),
});

export const collections = { lessons, questions };
