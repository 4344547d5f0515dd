// Loaded on demand by TimeChart, with uPlot's stylesheet.
import 'uplot/dist/uPlot.min.css';

export { default as UPlot } from 'uplot';
