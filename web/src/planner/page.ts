/**
 * Planner page mount point. The app shell routes /planner here; the planner issue (#6) fills it in.
 * Until then it says so plainly rather than showing made-up figures.
 */
export function mountPlanner(root: HTMLElement): () => void {
  root.innerHTML = '<section class="planner"><h2>Planner</h2><p>The AI-pivot planner is not built yet.</p></section>';
  return () => {
    root.innerHTML = '';
  };
}
