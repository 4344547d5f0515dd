import { act } from '@testing-library/react';
import { vi } from 'vitest';

/** What a chart gave uPlot to draw. uPlot leaves a gap where a value is null unless a series spans gaps. */
export interface PlotMade {
  readonly options: {
    readonly series: readonly { readonly label?: string; readonly spanGaps?: boolean }[];
    readonly hooks: { readonly setCursor: readonly ((chart: { cursor: { idx: number | null } }) => void)[] };
  };
  readonly data: readonly (readonly (number | null)[])[];
}

/** Every plot made since the test file began, oldest first: a test empties it after itself. */
export const plots: PlotMade[] = [];

/**
 * uPlot draws on a canvas jsdom lacks: this stand-in keeps what the chart gives it to draw.
 * A test file puts it in uPlot's place with `vi.mock('uplot', () => import(…this file…))`.
 */
export default class UPlotStandIn {
  constructor(options: PlotMade['options'], data: PlotMade['data']) {
    plots.push({ options, data });
  }
  setSize = vi.fn();
  destroy = vi.fn();
}

/** The plot whose first line is labelled `label`. */
export function plotOf(label: string): PlotMade | undefined {
  return plots.find((plot) => plot.options.series[1]?.label === label);
}

/** Moves the cursor over point `idx` of a plot, as a reader's hover does. */
export function hover(plot: PlotMade | undefined, idx: number): void {
  act(() => {
    plot?.options.hooks.setCursor[0]?.({ cursor: { idx } });
  });
}

/** What the legend of the page's `index`-th chart reads. */
export function legendText(index = 0): string {
  return document.querySelectorAll('.chart-legend')[index]?.textContent ?? '';
}
