"""English: every sentence a user can see, by key.  Fields in braces are the message's parameters;
zh_CN.py has the same keys with the same fields (tests/test_messages.py checks it)."""

MESSAGES: dict[str, str] = {
    "legacy_text": "{text}",
    "empty": "",
    # --- media: a reference file checked against the service's rules (media.py) -----------------
    "media.unreadable": "{name} could not be read; choose the file again.",
    "media.missing": "{name} could not be found or is not a file; choose the file again.",
    "media.empty": "{name} is empty (0 bytes); choose the file again or use another one.",
    "media.not_picture": "{name} is not a picture we can read (it may be damaged or renamed); save it again as {formats}.",
    "media.not_video": "{name} is not a video we can read (it may be damaged or renamed); export it again as {formats}.",
    "media.not_sound": "{name} is not a sound file we can read (it may be damaged or renamed); save it again as {formats}.",
    "media.not_media": "{name} is not a picture, video or sound file we can read; use a {image_formats} picture, "
                       "an {video_formats} video or an {audio_formats} voice clip.",
    "media.no_picture_track": "{name} has no picture track; a reference video must be an {formats} file that shows the character.",
    "media.wrong_kind": "{name} is {found}, not {wanted}; add it as {slot} instead.",
    "media.noun.image": "a picture",
    "media.noun.video": "a video",
    "media.noun.audio": "a sound clip",
    "media.slot.image": "a reference picture",
    "media.slot.video": "a reference video",
    "media.slot.audio": "a voice clip",
    "media.image_format": "{name} is a {fmt} picture; the service takes {formats} — convert it to one of those.",
    "media.image_too_small": "{name} is {w}×{h} px; each side must be at least {min} px — use a larger picture.",
    "media.image_aspect": "{name} is {w}×{h} px ({ratio}); a picture's shape must be between 1:{max} and {max}:1 — "
                          "crop it closer to the character.",
    "media.image_cannot_shrink": "{name} is {w}×{h} px; shrinking it to {max} px on the long side would leave the short "
                                 "side under {min} px — crop it first.",
    "media.image_ok": "{name} is a {w}×{h} px {fmt} picture that meets the service's rules.",
    "media.image_cannot_fit": "{name} could not be brought under {limit}; save it as a smaller JPEG and add it again.",
    "media.too_many_pixels_sized": "{name} is {w}×{h} px, more pixels than the studio can safely open (at most about "
                                   "{mpx} million); scale it down to at most {max} px a side in an image editor and add it again.",
    "media.too_many_pixels": "{name} has more pixels than the studio can safely open (at most about {mpx} million); "
                             "scale it down to at most {max} px a side in an image editor and add it again.",
    "media.image_damaged": "{name} is a damaged or cut-off {fmt} picture; open it in an image editor and save it again, "
                           "or use another copy.",
    "media.fix.rotation": "{name} had a camera rotation (EXIF) tag, which was applied so the picture stands upright.",
    "media.fix.rotation_short": "the camera rotation tag was applied",
    "media.fix.alpha": "{name} had a transparent background, which was flattened onto white.",
    "media.fix.alpha_short": "the transparent background was flattened onto white",
    "media.fix.scaled": "{name} was {w}×{h} px; each side must be at most {max} px, so it was scaled down to {tw}×{th} px.",
    "media.fix.scaled_short": "it was scaled down from {w}×{h} to {tw}×{th} px",
    "media.fix.was_size": "was {size}",
    "media.fix.would_be": "would still be {size} as {fmt}",
    "media.fix.shrunk": ", scaled down to {w}×{h} px",
    "media.fix.resaved": "{name} {what}; pictures must be at most {limit}, so it was re-saved as a JPEG of {size} "
                         "(quality {quality}{shrunk}).",
    "media.fix.resaved_short": "it was re-saved as a {size} JPEG to stay under {limit}",
    "media.fix.many": "{name} was adjusted to meet the service's picture rules: {phrases}.",
    "media.video_too_heavy": "{name} is {size}; videos must be at most {limit} — trim it or export it at a lower quality.",
    "media.audio_too_heavy": "{name} is {size}; voice clips must be at most {limit} — use a shorter clip or save it as MP3.",
    "media.video_container": "{name} is in {fmt} format; reference videos must be {formats} — convert it to MP4.",
    "media.video_cut_off": "{name} seems cut off (the file ends before its video data does); copy or export it again.",
    "media.video_bad_track": "{name} has a picture track we cannot read; export it again as MP4 (H.264).",
    "media.video_no_duration": "{name} does not say how long it is, so it cannot be checked against the {lo}–{hi} s rule; "
                               "export it again as MP4.",
    "media.video_too_short": "{name} is {secs} s long; videos must be {lo}–{hi} s — use a longer clip.",
    "media.video_too_long": "{name} is {secs} s long; videos must be {lo}–{hi} s — trim it to {hi} s or less.",
    "media.video_too_small": "{name} is {w}×{h} px; each side of a video must be at least {min} px — use a larger video.",
    "media.video_too_large": "{name} is {w}×{h} px; each side of a video must be at most {max} px — export it at a "
                             "smaller size, such as 1920×1080.",
    "media.video_ok": "{name} is a {w}×{h} px {fmt} video of {secs} s that meets the service's rules.",
    "media.audio_container": "{name} is in {fmt} format; voice clips must be {formats} — convert it to one of those.",
    "media.audio_cut_off": "{name} seems cut off (the file ends before its sound data does); save or copy it again.",
    "media.audio_no_duration": "{name} does not say how long it is, so it cannot be checked against the {lo}–{hi} s rule; "
                               "save it again as {formats}.",
    "media.audio_too_short": "{name} is {secs} s long; a voice clip must be {lo}–{hi} s — use a longer recording.",
    "media.audio_too_long": "{name} is {secs} s long; a voice clip must be {lo}–{hi} s — trim it to {hi} s or less.",
    "media.audio_ok": "{name} is a {secs} s {fmt} voice clip that meets the service's rules.",
    # --- the service's errors (errors.py) -------------------------------------------------------
    "reason.INVALID_REQUEST_BODY": 'The service refused the request as malformed. Check the settings and references, then try again.',
    "reason.ILLEGAL_PROMPT": 'The service refused the prompt under its content rules. Reword the prompt and try again.',
    "reason.ILLEGAL_IMAGE_CONTENT": 'The service refused a reference picture under its content rules. Use a different picture.',
    "reason.INVALID_AUDIO_FILE": 'The service could not use a voice clip. Use an MP3, WAV or FLAC clip of 3 to 30 seconds.',
    "reason.IMAGE_FILE_EXCEEDS_MAX_SIZE": 'A reference picture is larger than the service allows (10 MB). Use a smaller picture.',
    "reason.INVALID_IMAGE_FORMAT": 'A reference picture is in a format the service does not read. Use JPEG, PNG, BMP or WEBP.',
    "reason.BILLING_BALANCE_NOT_ENOUGH": 'Your account balance is too low for this video. Top up your account, then try again.',
    "reason.MISSING_API_KEY": 'No API key was sent. Enter your API key, or set HIGHWAY_API_KEY.',
    "reason.INVALID_API_KEY": 'The API key was not accepted. Check it and enter a valid key.',
    "reason.API_NOT_ALLOWED": 'This API key is not allowed to use this model. Enable the model for your account or use another key.',
    "reason.NEED_REAL_NAME_VERIFY": 'The account needs identity verification before it can use this model. Complete it in your account.',
    "reason.BILLING_AUTH_FAILED": "The service could not authorise billing for this account. Check your account's billing settings.",
    "reason.FEATURE_NOT_ALLOWED": 'This feature is not enabled for your account.',
    "reason.API_NOT_FOUND": 'The service has no such endpoint. Check the service address (HIGHWAY_BASE_URL).',
    "reason.TASK_NOT_FOUND": 'The service does not know this task. It may have expired or belong to another account.',
    "reason.RATE_LIMIT_EXCEEDED": 'The service is limiting how often you can ask. Wait a minute and try again.',
    "reason.CREATE_TASK_FAILED": 'The service could not create the task. Try again in a few minutes.',
    "reason.GET_RESULT_FAILED": "The service could not read the task's result just now. It will be read again.",
    "reason.TASK_FAILED": 'The service reported the task as failed.',
    "reason.BILLING_FAILED": "The service's billing failed for this request. Try again later, or check your account.",
    "submit_status.404": 'The service has no such endpoint. Check the service address (HIGHWAY_BASE_URL).',
    "submit_status.500": "The service failed while creating the task and gave back no task id. Check your account's task list before you try again in a few minutes.",
    "status.400": 'The service refused the request.',
    "status.401": 'The API key was not accepted. Check it and enter a valid key.',
    "status.403": 'The API key was not accepted for this model. Check it and enter a valid key.',
    "status.404": 'The service could not find what was asked for.',
    "status.429": 'The service is limiting how often you can ask. Wait a minute and try again.',
    "status.500": 'The service had an internal error. Try again in a few minutes.',
    "status.502": 'The service is overloaded or unreachable right now. Try again in a few minutes.',
    "status.503": 'The service is overloaded right now. Try again in a few minutes.',
    "status.504": 'The service took too long to answer. Try again in a few minutes.',
    "status.other": "The service answered with an error (HTTP {status}).",
    "error.http": "{plain} (HTTP {status}{reason})",
    "error.http_detail": "{plain} (HTTP {status}{reason}: {detail})",
    "error.submission_uncertain": "The request was sent but no usable answer came back, so the service may or may not have "
                                  "started (and billed) this video. Check your account's task list, then resubmit "
                                  "knowingly or discard it.",
    "error.unexpected_response": "The service's answer could not be read (HTTP {status}: {detail}). Check the service "
                                 "address (HIGHWAY_BASE_URL).",
    "error.task_failed": "The service could not make this video: {reason}. Failed tasks are not billed; change what it "
                         "mentions and generate again.",
    "error.task_failed_silent": "The service could not make this video: no reason was given. Failed tasks are not "
                                "billed; change what it mentions and generate again.",
    "error.result_expired": "The result link was refused (expired or no longer valid).",
    # --- a job's stages, notices and errors (jobs/) ----------------------------------------------
    "stage.checking": "Checking and saving your references…",
    "stage.uploading": "Uploading references…",
    "stage.submitting": "Sending the request to the service…",
    "stage.queued": "Queued at the service…",
    "stage.processing": "Generating…",
    "stage.downloading": "Downloading the video…",
    "stage.succeeded": "Done.",
    "stage.failed": "Failed.",
    "stage.uncertain": "Submission uncertain: the service may or may not have started this video.",
    "stage.discarded": "Discarded.",
    "job.failed": "Failed: {error}",
    "job.queued_resubmitted": "Queued at the service… (resubmitted knowingly)",
    "job.uploading_one": "Uploading 1 reference file…",
    "job.uploading_many": "Uploading {n} reference files…",
    "job.checking_links": "Checking reference links…",
    "job.generating": "Generating… {pct}%",
    "job.generating_eta": "Generating… {pct}%, about {eta} s left",
    "job.service_status": "Service status: {status}",
    "job.done_seed": "Done. Seed {seed}.",
    "job.recovered": "Done (recovered from the library)",
    "job.video_missing": "The video file is no longer in the library (deleted or moved outside the studio). "
                         "“Try again” asks the service for it again; nothing is sent or billed again.",
    "job.discarded": "Discarded. Nothing more will be sent for this job.",
    "job.resubmitting": "Resubmitting, as you asked…",
    "job.following_found": "Following the task you found…",
    "job.still_has_video": "The service still has this video: downloading it again (nothing is sent again)…",
    "job.still_making": "The service is still making this video: following it again (nothing is sent again)…",
    "job.demo_gone": "This job was made in demo mode, but the built-in emulator is not running now.",
    "job.no_hosting": "No way to host references is set up: see the README's 'Hosting references' section.",
    "job.need_key": "Enter an API key to generate with the live service.",
    "job.bug": "Something went wrong inside the studio ({kind}). Try again; if it repeats, report it.",
    "job.file_gone": "The file for {name} is gone; add it again.",
    "job.file_gone_unnamed": "The file for a reference is gone; add it again.",
    "job.not_waiting": "This job is not waiting for a decision.",
    "job.paste_task_id": "Paste the task id you found in your account's task list.",
    "job.unknown_task": "The service does not know a task '{task_id}'. Check the id in your account; the job still "
                        "waits for your decision.",
    "job.need_key_first": "Enter an API key first: the service is asked whether it still has this video before "
                          "anything is sent again.",
    "job.cannot_ask": "The service could not be asked whether it still has this video ({error}). Nothing was sent "
                      "again; try again in a minute.",
    "job.not_found": "There is no such job in your history.",
    "job.no_link": "The service said the video is done but gave no link to it. Try again: the service is asked for it "
                   "again first.",
    "job.task_unknown": "The service says it does not know task {task_id} (asked {n} times over about a minute). If "
                        "your account lists it, “Try again” asks the service for it first; nothing is sent again unless "
                        "the service has no such task.",
    "job.links_failed": "The video was made, but {n} links to it in a row could not be downloaded. Last answer: "
                        "{error} “Try again” asks the service for the video again; nothing is sent or billed again.",
    "job.unsaved": "{error} {problem}",
    "notice.not_sent": "Not sent yet ({cause}). The request is sent {when}; nothing has been billed.",
    "notice.unreachable": "the service could not be reached",
    "notice.need_key": "Waiting for your API key to keep checking this job: enter it above, in the browser that "
                       "started it. The job is safe at the service meanwhile.",
    "notice.slow": "The service has not answered for {secs} s; still waiting. The job is safe at the service.",
    "notice.store": "{error} The job goes on at the service; the studio saves it as soon as it can.",
    "notice.bug": "Something went wrong inside the studio while checking this job ({kind}); it is checked again "
                  "{when}. The job is safe at the service.",
    "notice.not_listed": "The service does not list this task yet ({cause}); that can happen just after a submit. "
                         "Asking again {when} (try {n} of {max}).",
    "notice.key_refused": "The service did not accept the API key when checking this job ({cause}). The job is kept "
                          "at the service: enter a valid key above (in the browser that started it) and it is "
                          "checked at once; otherwise again {when}.",
    "notice.slow_down_for": "The service asked us to slow down for {wait}. The job is safe at the service and is "
                            "checked again {when}.",
    "notice.busy_for": "The service asked us to wait (it is busy) for {wait}. The job is safe at the service and is "
                       "checked again {when}.",
    "notice.slow_down": "The service asked us to slow down. The job is safe and is checked again {when}.",
    "notice.read_failed": "The service could not be read just now ({cause}). The job is safe at the service and is "
                          "checked again {when}.",
    "notice.fresh_link": "{error} Asking the service for a fresh link {when}.",
    "notice.download_interrupted": "The download was interrupted ({error}); trying again {when}.",
    "notice.disk_full": "The disk is full, so the finished video cannot be saved in {folder}. Free some space there.",
    "notice.disk_readonly": "The library folder {folder} cannot be written ({why}). Make it writable, or start the "
                            "studio with another R2V_DATA_DIR.",
    "notice.disk_other": "The finished video could not be saved in {folder} ({why}).",
    "notice.disk_retry": "{problem} The service keeps the video meanwhile; the studio tries again {when}.",
    "cause.status": "{words}: HTTP {status}{reason}",
    "cause.429": "asked to slow down",
    "cause.500": "internal error",
    "cause.502": "overloaded or unreachable",
    "cause.503": "overloaded",
    "cause.504": "took too long",
    "cause.refused": "refused",
    "time.in_seconds": "in {secs} s",
    "time.in_at": "in {wait} (at {at})",
    # --- the request's rules (spec.py) -----------------------------------------------------------
    "spec.problems": "{problems}",
    "spec.the_prompt": "The prompt",
    "spec.the_negative_prompt": "The negative prompt",
    "spec.bidi_char": "{where} contains a text-direction control character ({code}) at position {pos}, which can make "
                      "text read differently from how it looks; delete it (retype that part if you cannot see it).",
    "spec.bidi_chars": "{where} contains {n} text-direction control characters, the first ({code}) at position {pos}, "
                       "which can make text read differently from how it looks; delete them (retype that part if you "
                       "cannot see them).",
    "spec.control_char": "{where} contains an invisible control character ({code}) at position {pos}; delete it "
                         "(retype that part if you cannot see it).",
    "spec.control_chars": "{where} contains {n} invisible control characters, the first ({code}) at position {pos}; "
                          "delete them (retype that part if you cannot see them).",
    "spec.mixed_char": "{where} contains an invisible control or text-direction character ({code}) at position {pos}, "
                       "which can make text read differently from how it looks; delete it (retype that part if you "
                       "cannot see it).",
    "spec.mixed_chars": "{where} contains {n} invisible control or text-direction characters, the first ({code}) at "
                        "position {pos}, which can make text read differently from how it looks; delete them (retype "
                        "that part if you cannot see them).",
    "spec.tags_no_media": "The prompt names {tags}, but no character has a picture or video yet: add a reference for "
                          "it or change the prompt.",
    "spec.tags_one_media": "The prompt names {tags}, but there is only 1 reference: add a reference for it or change "
                           "the prompt.",
    "spec.tags_few_media": "The prompt names {tags}, but there are only {n} references: add a reference for it or "
                           "change the prompt.",
    "spec.tag_unnamed": "The prompt never names {tag}; write it in the prompt so the model knows who it is.",
    "spec.prompt_empty": "The prompt is empty: describe the scene you want.",
    "spec.prompt_too_long": "The prompt has {n} characters; the limit is {max}. Shorten it.",
    "spec.negative_too_long": "The negative prompt has {n} characters; the limit is {max}.",
    "spec.no_media": "Add at least one reference (a picture or a video of a character).",
    "spec.too_many_media": "There are {n} references; at most {max} are allowed.",
    "spec.too_many_videos": "There are {n} reference videos; at most {max} are allowed.",
    "spec.bad_media_type": "{tag} has type {type}; it must be an image or a video.",
    "spec.bad_media_url": "{tag} has no usable link (it must start with http:// or https://).",
    "spec.bad_voice_url": "The voice of {tag} has no usable link.",
    "spec.bad_size": "Size {size} is not offered; choose one of {sizes}.",
    "spec.bad_duration": "Duration must be a whole number of seconds from {min} to {max}.",
    "spec.bad_shot_type": "Shot type must be single or multi.",
    "spec.bad_seed": "The seed must be a whole number from {min} to {max}, or left random.",
    # --- the cast's cards (ui/cast.py) ------------------------------------------------------------
    "cast.unreadable": "{name} could not be read ({kind}). Try another file.",
    "cast.voice_unreadable": "{name} could not be read ({kind}). Try another clip.",
    "cast.sound_in_media": "{name} is a sound file. Put it in the voice clip box below, and add a picture or video here.",
    "cast.too_many_videos": "{name} is a video, and {max} other cards already hold videos: at most {max} videos are "
                            "allowed. Use a picture for {tag}.",
    "cast.add_media": "Add a picture or a video of {tag}.",
    "verdict.accepted": "Accepted",
    "verdict.fixed": "Fixed",
    "verdict.refused": "Refused",
    "verdict.voice": "Voice: {verdict}",
    # --- reference links and hosting (hosting/) ---------------------------------------------------
    "hosting.word.image": "picture",
    "hosting.word.video": "video",
    "hosting.word.audio": "voice clip",
    "hosting.link_not_web": "The {word} link must be a web address starting with http:// or https://. Paste the full "
                            "public link.",
    "hosting.link_timeout": "The {word} link at {where} did not answer in time. Check that it opens in a browser, then "
                            "paste it again.",
    "hosting.link_unreachable": "The {word} link at {where} cannot be reached ({detail}). Check that the link is public "
                                "and opens in a browser, then paste it again.",
    "hosting.link_private": "The {word} link at {where} refuses access (HTTP {status}): it is private or has expired. "
                            "Paste a public link, or upload the file instead.",
    "hosting.link_gone": "The {word} link at {where} points to nothing (HTTP {status}): the file was moved, deleted or "
                         "the link expired. Paste a working link, or upload the file instead.",
    "hosting.link_error": "The {word} link at {where} answered with an error (HTTP {status}). Paste a working public "
                          "link, or upload the file instead.",
    "hosting.link_wrong_type": "The {word} link at {where} serves {shown}, not a {word} the service reads ({formats}). "
                               "Paste a direct link to the {word} file itself, not to a page showing it.",
    "hosting.link_too_big": "The {word} at {where} is {size}; the service accepts at most {limit}. Use a smaller {word}.",
    "hosting.links_only": "Reference hosting is set to pasted links only, so the file '{name}' cannot be uploaded. "
                          "Paste a public link for it, or choose another hosting way (R2V_HOSTING=s3 or public).",
    "hosting.file_gone": "The reference file '{name}' is no longer on disk. Add it again.",
    # --- the page's labels, translated in the browser by Gradio (ui/language.py) --------------------
    "ui.language": 'Language',
    "ui.tab.studio": 'Studio',
    "ui.tab.compare": 'Compare',
    "ui.tab.history": 'History',
    "ui.prompt": 'Prompt',
    "ui.resolution": 'Resolution',
    "ui.aspect": 'Aspect ratio',
    "ui.duration": 'Duration (seconds)',
    "ui.shots": 'Shots',
    "ui.more_settings": 'More settings: sound, watermark, seed, things to avoid',
    "ui.sound": 'Sound',
    "ui.watermark": 'Watermark',
    "ui.seed": 'Seed',
    "ui.seed_number": 'Seed number',
    "ui.reuse_seed": "Reuse the last video's seed",
    "ui.negative": 'Things to avoid (negative prompt)',
    "ui.takes": 'Takes',
    "ui.generate": 'Generate video',
    "ui.send_it": 'Send it',
    "ui.cancel": 'Cancel',
    "ui.dont_ask": "Don't ask again in this session",
    "ui.paste_task_id": 'Found it in your account? Paste its task id',
    "ui.follow_task": 'Follow this task',
    "ui.send_again": 'Send again',
    "ui.discard": 'Discard',
    "ui.try_again": 'Try again',
    "ui.compare_takes": 'Compare these takes',
    "ui.another_take": 'Another take',
    "ui.reuse_settings": 'Put its settings in the form',
    "ui.api_key": 'API key',
    "ui.use_key": 'Use for this session',
    "ui.forget_key": 'Forget it',
    "ui.check_hosting": 'Check hosting',
    "ui.load_example": 'Load example cast',
    "ui.add_character": '+ Add character',
    "ui.update_prompt": 'Update the prompt',
    "ui.keep_prompt": 'Keep the prompt as it is',
    # --- the header (ui/header.py) ----------------------------------------------------------------
    "header.tagline": "Cast up to five characters from your pictures, clips and voices, write a scene, get a video.",
    "header.demo": "Demo — built-in emulator, no account; results are previews",
    "header.live_server": "Live — using the server's API key",
    "header.live_session": "Live — with the key you entered (this browser session only)",
    "header.no_cancel": "There is no cancel: once sent, a video is made and billed even if you close the page.",
    "header.demo_note": "Demo videos are previews made on this machine; nothing is sent anywhere.",
    # --- the status box (ui/status.py) -----------------------------------------------------------
    "status.step.checking": "Checking",
    "status.step.uploading": "Uploading",
    "status.step.submitting": "Sending",
    "status.step.queued": "Queued",
    "status.step.processing": "Making the video",
    "status.step.downloading": "Downloading",
    "status.step.succeeded": "Done",
    "status.state.checking": "Checking",
    "status.state.uploading": "Uploading",
    "status.state.submitting": "Sending",
    "status.state.queued": "Queued",
    "status.state.processing": "Making the video",
    "status.state.downloading": "Downloading",
    "status.state.succeeded": "Finished",
    "status.state.failed": "Failed",
    "status.state.uncertain": "Submission uncertain",
    "status.state.discarded": "Discarded",
    "status.video_missing": "Finished — but the video file is missing",
    "status.secs": "{s} s",
    "status.min_secs": "{m} min {s} s",
    "status.left": "about {time} left",
    "status.elapsed": "{time} elapsed",
    "status.close_tab": "You can close this tab: the job keeps running and this page finds it again.",
    "status.no_cancel": " There is no cancel: the service offers none, so it is billed once sent.",
    "status.failed": "The job failed.",
    "status.after_failure": "Nothing was changed in your form: fix what it mentions and press <b>Generate video</b> "
                            "again, or press <b>Try again</b>.",
    "status.uncertain": "The request reached the service but no answer came back, so it may or may not have started "
                        "(and billed) this video. Check your account's task list if you can. Resubmitting may bill "
                        "twice; discarding keeps nothing running here.",
    "status.uncertain_demo": "The request reached the built-in emulator but no answer came back, so it may or may not "
                             "have started this preview. Send it again, or discard it.",
    # --- the form (ui/form.py) -------------------------------------------------------------------
    "form.as_sent": "As sent:",
    "form.all_named": "Every character is named in the prompt.",
}
