//! The days a slot can fall on, spelled as the API spells them (`mon` … `sun`).

use jiff::civil::Weekday;

/// A day of the week; the order is the calendar's, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub const ALL: [Day; 7] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];

    /// `"mon"` → `Mon`; only the three lower-case letters the API uses.
    pub fn parse(text: &str) -> Option<Day> {
        Day::ALL.into_iter().find(|d| d.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Day::Mon => "mon",
            Day::Tue => "tue",
            Day::Wed => "wed",
            Day::Thu => "thu",
            Day::Fri => "fri",
            Day::Sat => "sat",
            Day::Sun => "sun",
        }
    }

    pub(crate) fn of(weekday: Weekday) -> Day {
        Day::ALL[weekday.to_monday_zero_offset() as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_api_spelling_only() {
        for day in Day::ALL {
            assert_eq!(Day::parse(day.as_str()), Some(day));
        }
        assert_eq!(Day::parse("Mon"), None);
        assert_eq!(Day::parse("monday"), None);
        assert_eq!(Day::of(Weekday::Sunday), Day::Sun);
    }
}
