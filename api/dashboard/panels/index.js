// The dashboard's panels, mounted in this order. A new panel is one module here: it gets the
// app (state, chart, events `init`, `market`, `heatmap`, `levels`, `liquidations`, `loaded`,
// `detail`, `hover`, `error`, `live`) and touches only its own part of the page.
import { picker } from './picker.js';
import { range } from './range.js';
import { leverage } from './leverage.js';
import { tooltip } from './tooltip.js';
import { clusterList } from './cluster-list.js';
import { info } from './info.js';
import { accuracy } from './accuracy.js';
import { check } from './check.js';
import { exportCells } from './export.js';
import { live } from './live.js';
import { notReady } from './not-ready.js';

export const PANELS = [notReady, picker, range, leverage, tooltip, clusterList, info, accuracy, check, exportCells, live];
