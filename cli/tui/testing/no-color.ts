// Imported before ink: chalk decides on colours when it loads.
process.env["FORCE_COLOR"] = "0";
