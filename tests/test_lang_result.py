"""The result pane, History's detail, Compare and the form in the viewer's language: every sentence
they show renders in Chinese with no English word left (the model's terms such as seed or 720P
stay), and a job stored and read again says its settings and price in whoever looks at it."""

from __future__ import annotations

import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.lang_terms import foreign_words
from r2v_ui import spec
from r2v_ui.errors import StudioError
from r2v_ui.jobs.hub import Live
from r2v_ui.jobs.snapshots import to_snapshot
from r2v_ui.messages import EN, ZH, msg, render_msg
from r2v_ui.price import PriceTable
from r2v_ui.store import JobRecord, JobStore
from r2v_ui.workspace.cast import Card
from r2v_ui.workspace import form
from r2v_ui.ui import fieldnotes
from r2v_ui.workspace.start import parse_takes
from r2v_ui.ui import header, historypanel, result, status
from r2v_ui.workspace import compare
from r2v_ui.ui.context import alert_html


def words_left(text: str) -> list[str]:
    """The English words a Chinese reader would meet: markup, job ids in `code` and file names aside."""
    seen = re.sub(r"<[^>]+>|`[^`]*`", " ", text)
    return foreign_words(seen)


def _snap(**over) -> SimpleNamespace:
    now = time.time()
    base = dict(job_id="20261125-abcd1234", owner="", state="succeeded", stage_text=msg("stage.succeeded"),
                progress=1.0, eta_seconds=None, task_id="task-9f", error=None, video_path=None, poster_path=None,
                settings={"prompt": "character1 在雨中挥手", "size": "1920*1080", "duration": 5, "shot_type": "multi",
                          "audio": True, "watermark": False, "seed": None, "negative_prompt": "模糊"},
                references=({"name": "hero.png", "kind": "image"},), warnings=(),
                price_label=PriceTable().estimate("1920*1080", 5, (3.0,)).message(), seed_used=None,
                timings={"submitted_at": now - 50, "completed_at": now - 2}, created_at=now - 60, updated_at=now,
                version=3, target="live", video_missing=False, batch_id=None, take=None, favourite=False,
                terminal=True, notice=None, uploads={})
    return SimpleNamespace(**(base | over))


def test_the_settings_summary_reads_in_chinese_and_in_english():
    zh = status.summary_markdown(_snap(), ZH)
    assert words_left(zh) == [], zh
    assert "| 使用的 seed | 由服务随机选定 |" in zh and "| 镜头 | 多镜头 |" in zh
    assert "| 价格 | 约 $0.75–$1.20（估算） |" in zh and "1920 × 1080（1080P，16:9）" in zh
    en = status.summary_markdown(_snap(seed_used=7), EN)
    assert "| Seed used | 7 |" in en and "| Price | about $0.75–$1.20 (estimate) |" in en
    assert "| Shots | multi shot |" in en and "| Duration | 5 s |" in en


def test_a_demo_results_summary_says_its_video_is_a_smaller_preview_in_both_languages():
    zh = status.summary_markdown(_snap(target="demo"), ZH)
    assert words_left(zh) == [], zh
    assert "| 画面尺寸 | 1920 × 1080（1080P，16:9）；演示的预览视频画面较小 |" in zh
    en = status.summary_markdown(_snap(target="demo"), EN)
    assert "1920 × 1080 (1080P, 16:9); the demo draws its preview video smaller" in en
    assert "preview" not in status.summary_markdown(_snap(), EN)  # a live result is the size it asked for


def test_historys_detail_with_its_times_and_ids_reads_in_chinese():
    zh = historypanel.detail_markdown(_snap(), ZH)
    assert words_left(zh) == [], zh
    for said in ("开始时间：", "发送给服务：", "完成时间：", "耗时：1 分 00 秒", "角色：", "服务端任务 `task-9f`"):
        assert said in zh, said
    en = historypanel.detail_markdown(_snap(), EN)
    assert "- Sent to the service: " in en and "- Took: 1 min 00 s" in en and "task `task-9f`" in en


def test_a_job_stored_and_read_again_says_its_settings_and_price_in_the_readers_language(tmp_path: Path):
    store = JobStore(tmp_path)
    now = time.time()
    price = PriceTable().estimate("1280*720", 5).message()
    # Live jobs: a price is shown only for what was sent to the service (demo mode never speaks of money).
    store.create(JobRecord(job_id="new", owner="", state="succeeded", created_at=now - 30, updated_at=now,
                           settings=_snap().settings | {"size": "1280*720"}, references=[], seed_used=42,
                           price_label=price.to_json(), timings={"submitted_at": now - 20}, target="live"))
    store.create(JobRecord(job_id="old", owner="", state="succeeded", created_at=now - 30, updated_at=now,
                           settings=_snap().settings, references=[], price_label="about $0.20 (estimate)",
                           target="live"))
    again = JobStore(tmp_path)
    snap = to_snapshot(again.get("new"), Live(), again)
    assert snap.price_label == price  # a code with its numbers, not words
    zh, en = historypanel.detail_markdown(snap, ZH), historypanel.detail_markdown(snap, EN)
    assert words_left(zh) == [], zh
    assert "| 价格 | 约 $0.50（估算） |" in zh and "| 使用的 seed | 42 |" in zh and "发送给服务：" in zh
    assert "| Price | about $0.50 (estimate) |" in en and "| Seed used | 42 |" in en
    assert status.summary_markdown(snap, ZH) in zh
    # A job stored before prices were codes keeps the words it was saved with.
    old = to_snapshot(again.get("old"), Live(), again)
    assert "| 价格 | about $0.20 (estimate) |" in historypanel.detail_markdown(old, ZH)


def test_compares_differences_and_names_read_in_chinese():
    a = _snap(seed_used=11, settings=_snap().settings | {"audio": False, "watermark": True, "negative_prompt": ""},
              take=1)
    b = _snap(seed_used=None, settings=_snap().settings | {"size": "1280*720", "duration": 8, "shot_type": "single",
                                                           "prompt": "character1 在雨中跳舞"},
              references=({"name": "林.png"}, {"name": "雨.png"}))
    zh = compare.differences([a, b], ZH)
    assert zh[0] == ["seed 11", "尺寸 1920×1080", "5 秒", "多镜头", "无声音", "有水印", "没有要避免的内容", "提示词多了：+挥手",
                     "角色：hero.png"]
    assert zh[1][:2] == ["随机 seed", "尺寸 1280×720"] and "不想出现“模糊”" in zh[1]
    assert all(words_left(" ".join(d).replace("hero.png", "").replace(".png", "")) == [] for d in zh)  # file names aside
    en = compare.differences([a, b], EN)
    assert en[0][:2] == ["seed 11", "size 1920×1080"] and "nothing to avoid" in en[0] and "random seed" in en[1]
    assert words_left(compare.choice_label(a, lang=ZH)) == []


def test_the_live_confirmation_reads_in_chinese():
    draft = SimpleNamespace(references=[1, 2], size="1280*720", duration=5, shot_type="single", audio=True,
                            prompt="character1 和 character2 共撑一把伞")
    price = PriceTable().estimate("1280*720", 5).times(3).message()
    zh = result.confirm_html(draft, price, duplicate_s=None, live=True, takes=3, lang=ZH)
    assert words_left(zh) == [], zh
    assert "2 个角色，1280 × 720，5 秒，单镜头，有声音，3 条" in zh and "约 $1.50（估算）" in zh
    again = result.confirm_html(draft, price, duplicate_s=4.2, live=False, lang=ZH)
    assert "你在 4 秒前" in again and "$" not in again
    en = result.confirm_html(draft, price, duplicate_s=None, live=True, takes=3, lang=EN)
    assert "2 characters, 1280 × 720, 5 s, single shot, sound on, 3 takes" in en
    assert "Estimated price: <b>about $1.50 (estimate)</b>. It is billed once sent" in en


def test_the_forms_refusals_read_in_chinese_and_stay_english_for_scripts():
    card = Card(kind="image", path="/x/a.png", name="a.png", verdict="accepted")
    values = form.FormValues(prompt="character1 挥手", tier="900P", duration=5.5, audio=1, watermark=0,
                             seed_mode=form.SEED_FIXED, seed="")
    with pytest.raises(ValueError) as err:
        form.build_draft([card], values)
    zh = alert_html(err.value, lang=ZH)
    assert words_left(zh) == [], zh
    assert zh.startswith('<div class="form-alert" role="alert"><b>没有发送任何内容。</b>种子设成了固定数值')
    assert "时长必须是 2 到 10 之间的整数秒。" in zh and "“声音”只能是开或关，不能是 1。" in zh and "请选择分辨率和画面比例。" in zh
    en = alert_html(err.value)  # a script's call, or an English page: the sentences as they always were
    assert "<b>Nothing was sent.</b> Seed is set to a fixed number" in en
    assert "Sound must be switched on or off (true or false), not 1." in en
    assert str(err.value).endswith("Choose a resolution and an aspect ratio.")
    with pytest.raises(ValueError) as bad:
        form.read_shots("not a list")
    shots_zh = render_msg(bad.value.msg, ZH)  # the JSON field names a client sends stay as they are
    assert '[{"text": "两人相遇", "seconds": 3}, …]' in shots_zh
    assert words_left(re.sub(r"\[.*\]", "", shots_zh)) == []
    with pytest.raises(ValueError) as many:
        parse_takes("9")
    assert render_msg(many.value.msg, ZH) == "生成条数只能是 1、2、3 或 4（收到的是 '9'）。"
    assert str(many.value) == "Takes must be 1, 2, 3 or 4 (got '9')."
    assert "请选择分辨率" in alert_html(StudioError(msg("form.size_missing")), lang=ZH)


def test_the_live_price_and_the_count_read_in_chinese():
    video = Card(kind="video", path="/x/v.mp4", name="v.mp4", verdict="accepted",
                                     video_seconds=3.0)
    zh = fieldnotes.price_label(PriceTable(), "720P", "16:9", 5, [video], takes=2, lang=ZH)
    assert words_left(zh) == [], zh
    assert "预估价格" in zh and "约 $1.00–$1.60（估算）" in zh and "，共 2 条（每条 约 $0.50–$0.80（估算））" in zh
    assert "（参考视频也可能计费）" in zh
    first = fieldnotes.price_label(PriceTable(), "720P", "16:9", 5, [], lang=None)  # before any request
    assert 'lang="zh-CN">预估价格' in first and 'lang="en">Estimated price' in first
    over = fieldnotes.count_label("字" * 1502, spec.PROMPT_MAX, ZH)
    assert "超出 2 个字" in over and words_left(over) == []
    assert "1 character too many" in fieldnotes.count_label("x" * 1501, spec.PROMPT_MAX)


def test_the_storage_notice_is_drawn_in_both_languages():
    shown = header.storage_notice_html(SimpleNamespace(data_dir_temporary=True))
    assert 'lang="zh-CN">Space 重启后' in shown and header.STORAGE_NOTICE in shown and "R2V_DATA_DIR" in shown


def test_historys_detail_shows_a_storyboard_as_its_shots_and_names_as_written():
    board = {"overall": "@Mira 和 @Robo 争最后一块饼干",
             "shots": [{"text": "@Mira 伸手去拿", "seconds": 2}, {"text": "@Robo 笑了", "seconds": 3}]}
    sent = "character1 和 character2 争最后一块饼干\nShot 1 [0-2s]: character1 伸手去拿\nShot 2 [2-5s]: character2 笑了"
    snap = _snap(settings=_snap().settings | {"prompt": sent, "written_prompt": "(composed)", "storyboard": board})
    zh, en = historypanel.detail_markdown(snap, ZH), historypanel.detail_markdown(snap, EN)
    assert "**提示词：** @Mira 和 @Robo 争最后一块饼干" in zh and "**分镜：**" in zh
    assert "1. 0–2 秒：@Mira 伸手去拿\n1. 2–5 秒：@Robo 笑了" in zh  # a numbered list, as the user planned it
    assert "**实际发送：** character1 和 character2 争最后一块饼干<br>Shot 1 [0-2s]: character1 伸手去拿" in zh
    assert "1. 0–2 s: @Mira 伸手去拿" in en and "**As sent:** character1" in en
    assert words_left(re.sub(r"Shot \d \[\d-\ds\]|@\w+", "", zh)) == [], zh  # the names are the user's

    named = _snap(settings=_snap().settings | {"prompt": "character1 waves", "written_prompt": "@Mira waves"})
    assert "**Prompt:** @Mira waves" in historypanel.detail_markdown(named, EN)
    assert "**As sent:** character1 waves" in historypanel.detail_markdown(named, EN)
    plain = historypanel.detail_markdown(_snap(), EN)
    assert "As sent" not in plain and "Storyboard" not in plain  # nothing rewritten: said once
