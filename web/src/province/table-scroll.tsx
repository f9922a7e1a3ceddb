/**
 * A wide table's scrolling box. On a phone the dashboard's tables are wider than the screen;
 * when this one is, a hint says so (columns off to the right are easy to miss) and the box
 * takes keyboard focus, so it can be scrolled without a pointer.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n.js';

export const TableScroll = (props: { label: string; children: ComponentChildren }) => {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const [overflow, setOverflow] = useState({ sideways: false, any: false });
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () => {
      const sideways = element.scrollWidth > element.clientWidth + 1;
      const any = sideways || element.scrollHeight > element.clientHeight + 1;
      setOverflow((current) =>
        current.sideways === sideways && current.any === any ? current : { sideways, any },
      );
    };
    measure();
    // The table grows as rows arrive and the box narrows as the screen turns.
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <>
      {overflow.sideways ? (
        <p class="scroll-hint" aria-hidden="true">
          {t('表格较宽，可左右滑动查看更多列 →', 'Wide table: scroll sideways for more columns →')}
        </p>
      ) : null}
      <div
        ref={box}
        class="table-scroll"
        {...(overflow.any ? { role: 'region', 'aria-label': props.label, tabIndex: 0 } : {})}
      >
        {props.children}
      </div>
    </>
  );
};
