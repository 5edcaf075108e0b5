/// The version printed by `--version` and written into every report.
let segscoreVersion = "0.1.0"
