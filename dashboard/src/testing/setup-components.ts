/**
 * Set up before each component test file (vitest.config.ts, project components).
 * Testing Library's findBy* and waitFor give up after a second by default, which a busy
 * machine can take to render one page in jsdom; each still ends as soon as what it waits for is there.
 */
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 30_000 });
