// The host page's own listener: the embed hands the G-code to this element's listeners only.
document.getElementById('cam').addEventListener('gcode', (e) => {
  const lines = e.detail.gcode.split('\n').length;
  document.getElementById('received').textContent = `${e.detail.name}: ${lines} lines`;
});
