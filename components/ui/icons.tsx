/**
 * Small inline SVG icons (24×24 viewBox, currentColor). Decorative: always paired with visible text, so they
 * are hidden from assistive technology.
 */
import type { ReactNode, SVGProps } from 'react';

type IconProps = Omit<SVGProps<SVGSVGElement>, 'children'>;

function Icon({ className = 'h-4 w-4', children, ...rest }: IconProps & { children: ReactNode }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2.25}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      className={className}
      {...rest}
    >
      {children}
    </svg>
  );
}

/** A check mark (pass). */
export function CheckIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M5 12.5l4.5 4.5L19 7.5" />
    </Icon>
  );
}

/** An exclamation mark in a triangle (warning). */
export function WarnIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M12 3.5L2.5 20h19L12 3.5z" />
      <path d="M12 10v4.5M12 17.5v.01" />
    </Icon>
  );
}

/** A cross (fail). */
export function CrossIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M6 6l12 12M18 6L6 18" />
    </Icon>
  );
}

/** A crossed circle (blocked). */
export function BlockedIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <circle cx="12" cy="12" r="9" />
      <path d="M5.7 5.7l12.6 12.6" />
    </Icon>
  );
}

/** A dash in a circle (skipped). */
export function SkipIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <circle cx="12" cy="12" r="9" />
      <path d="M8 12h8" />
    </Icon>
  );
}

/** A question mark in a circle (inconclusive). */
export function QuestionIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <circle cx="12" cy="12" r="9" />
      <path d="M9.5 9.5a2.5 2.5 0 015 .3c0 1.7-2.5 2.2-2.5 3.7M12 16.8v.01" />
    </Icon>
  );
}

/** An empty circle (waiting). */
export function CircleIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <circle cx="12" cy="12" r="8" strokeDasharray="3 3.3" />
    </Icon>
  );
}

/** A spinning arc (running). Motion is disabled under prefers-reduced-motion. */
export function SpinnerIcon({ className = 'h-4 w-4', ...props }: IconProps) {
  return (
    <Icon className={`${className} animate-spin motion-reduce:animate-none`} {...props}>
      <path d="M12 3a9 9 0 019 9" />
      <circle cx="12" cy="12" r="9" opacity="0.25" />
    </Icon>
  );
}

/** A right-pointing chevron (disclosure). */
export function ChevronIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M9 6l6 6-6 6" />
    </Icon>
  );
}

/** Two overlapping sheets (copy). */
export function CopyIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <rect x="9" y="9" width="11" height="11" rx="2" />
      <path d="M5 15V5a1 1 0 011-1h10" />
    </Icon>
  );
}

/** An arrow into a tray (download). */
export function DownloadIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M12 4v11M7.5 10.5L12 15l4.5-4.5M4.5 19.5h15" />
    </Icon>
  );
}

/** Two chain links (share link). */
export function LinkIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M10 14a4 4 0 005.7 0l3-3a4 4 0 00-5.7-5.7l-1 1" />
      <path d="M14 10a4 4 0 00-5.7 0l-3 3a4 4 0 005.7 5.7l1-1" />
    </Icon>
  );
}

/** A circular arrow (run again). */
export function RefreshIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M20 11a8 8 0 10-2.3 5.7M20 4.5V11h-6.5" />
    </Icon>
  );
}
