// The colours of the statuses, for drawing on a canvas: the same as styles.css's variables.
export const COLORS = {
  contact: '#8a94a3',
  exploring: '#2a7de1',
  negotiating: '#b06ad9',
  agreed: '#d98a1c',
  active: '#1f9d55',
  ended: '#c0392b',
  none: '#8a94a3',
};
