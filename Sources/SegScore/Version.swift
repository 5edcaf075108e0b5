/// The version printed by `--version` and written into every report.
public let segscoreVersion = "0.3.5"
