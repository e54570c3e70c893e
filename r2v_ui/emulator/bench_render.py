"""Print seconds per clip of the preview renderer: python -m r2v_ui.emulator.bench_render (not a test)."""

from .render import bench

if __name__ == "__main__":
    bench()
