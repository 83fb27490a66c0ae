import { NavLink } from 'react-router';

/** The two views of the System architecture page: the service graph and the paths through one service. */
export function ArchitectureTabs() {
  return (
    <nav className="tabs view-tabs" aria-label="System architecture views">
      <NavLink to="/dependencies" end>
        Service graph
      </NavLink>
      <NavLink to="/deep-dependencies">Paths through a service</NavLink>
    </nav>
  );
}
