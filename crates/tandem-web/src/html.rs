//! Building blocks shared by the components: pre-escaped HTML, text-or-HTML content and the
//! free-form `attributes` option, each escaping exactly once.

use std::fmt::{self, Display, Formatter, Write as _};

use askama::filters::HtmlSafe;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// Markup that is already safe to emit: the `html` options of the GOV.UK macros.
///
/// Only construct it from markup you produced (another template) or fully control; user input
/// belongs in the `text` options, which are escaped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Html(String);

impl Html {
    /// Wraps markup the caller vouches for.
    pub(crate) fn trusted(markup: impl Into<String>) -> Self {
        Self(markup.into())
    }

    /// Renders a template (for example another component) into reusable markup.
    pub(crate) fn render(template: &impl askama::Template) -> askama::Result<Self> {
        template.render().map(Self)
    }

    /// The markup as given, without the trimming `Display` applies.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl Display for Html {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.trim())
    }
}

impl HtmlSafe for Html {}

/// Writes `s` HTML-escaped (text content and double-quoted attribute values).
pub(crate) fn escape(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    for c in s.chars() {
        match c {
            '&' => f.write_str("&amp;")?,
            '<' => f.write_str("&lt;")?,
            '>' => f.write_str("&gt;")?,
            '"' => f.write_str("&quot;")?,
            '\'' => f.write_str("&#39;")?,
            c => f.write_char(c)?,
        }
    }
    Ok(())
}

/// The macros' `html` / `text` pair: HTML wins when present, as in Nunjucks (`html if html else
/// text`), and text is escaped here so templates can print it as-is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Content<'a> {
    html: Option<&'a Html>,
    text: Option<&'a str>,
}

impl<'a> Content<'a> {
    pub(crate) fn new(html: Option<&'a Html>, text: Option<&'a str>) -> Self {
        Self {
            html: html.filter(|h| !h.is_empty()),
            text: text.filter(|t| !t.is_empty()),
        }
    }

    /// True when there is something to show (the macros' `if params.html or params.text`).
    pub(crate) fn is_some(&self) -> bool {
        self.html.is_some() || self.text.is_some()
    }

    pub(crate) fn is_html(&self) -> bool {
        self.html.is_some()
    }
}

impl Display for Content<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.html, self.text) {
            (Some(html), _) => html.fmt(f),
            (None, Some(text)) => escape(f, text),
            (None, None) => Ok(()),
        }
    }
}

impl HtmlSafe for Content<'_> {}

/// Implements `content()` for option structs with the usual `html` and `text` fields.
macro_rules! impl_content {
    ($($ty:ty),+ $(,)?) => {$(
        impl $ty {
            /// The `html` or else `text` option, ready to print.
            pub(crate) fn content(&self) -> $crate::html::Content<'_> {
                $crate::html::Content::new(self.html.as_ref(), self.text.as_deref())
            }
        }
    )+};
}
pub(crate) use impl_content;

/// A scalar attribute value as the macros accept it (strings, numbers or booleans).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub(crate) enum AttributeValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl Display for AttributeValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(b) => b.fmt(f),
            Self::Int(i) => i.fmt(f),
            Self::Float(x) => x.fmt(f),
            Self::Text(s) => f.write_str(s),
        }
    }
}

impl From<&str> for AttributeValue {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for AttributeValue {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Attribute {
    name: String,
    value: Option<AttributeValue>,
    /// `optional: true` in `govukAttributes`: omitted when empty or false, bare when true.
    optional: bool,
}

/// The `attributes` option: extra HTML attributes in insertion order, rendered like the
/// `govukAttributes` macro (` name="value"`, escaped).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Attributes(Vec<Attribute>);

impl Attributes {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds ` name="value"`.
    pub(crate) fn with(
        mut self,
        name: impl Into<String>,
        value: impl Into<AttributeValue>,
    ) -> Self {
        self.0.push(Attribute {
            name: name.into(),
            value: Some(value.into()),
            optional: false,
        });
        self
    }

    /// Adds a boolean attribute (` name`) when `on`.
    pub(crate) fn with_flag(mut self, name: impl Into<String>, on: bool) -> Self {
        self.0.push(Attribute {
            name: name.into(),
            value: Some(AttributeValue::Bool(on)),
            optional: true,
        });
        self
    }
}

impl Display for Attributes {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for attr in &self.0 {
            match (&attr.value, attr.optional) {
                (Some(AttributeValue::Bool(true)), true) => {
                    f.write_char(' ')?;
                    escape(f, &attr.name)?;
                }
                (None | Some(AttributeValue::Bool(false)), true) => {}
                (value, _) => {
                    f.write_char(' ')?;
                    escape(f, &attr.name)?;
                    f.write_str("=\"")?;
                    if let Some(value) = value {
                        escape(f, &value.to_string())?;
                    }
                    f.write_char('"')?;
                }
            }
        }
        Ok(())
    }
}

impl HtmlSafe for Attributes {}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Item {
            Detailed {
                value: Option<AttributeValue>,
                #[serde(default)]
                optional: bool,
            },
            Plain(Option<AttributeValue>),
        }

        struct AttributesVisitor;

        impl<'de> Visitor<'de> for AttributesVisitor {
            type Value = Attributes;

            fn expecting(&self, f: &mut Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attribute names to values")
            }

            // A map visitor (not a HashMap) keeps the order the attributes were given in.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                let mut attrs = Vec::new();
                while let Some((name, item)) = map.next_entry::<String, Item>()? {
                    let (value, optional) = match item {
                        Item::Detailed { value, optional } => (value, optional),
                        Item::Plain(value) => (value, false),
                    };
                    attrs.push(Attribute {
                        name,
                        value,
                        optional,
                    });
                }
                Ok(Attributes(attrs))
            }
        }

        deserializer.deserialize_map(AttributesVisitor)
    }
}

/// Deserialises an option whose explicit `null` differs from its absence (Nunjucks `!== null`
/// checks): absent is `None`, `null` is `Some(None)`.
pub(crate) fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Nunjucks' `value | default(fallback, true)`: the fallback also replaces an empty string.
pub(crate) fn or<'a>(value: &'a Option<String>, fallback: &'a str) -> &'a str {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .unwrap_or(fallback)
}

/// Reads a string option that fixtures and callers may also give as a number or boolean
/// (Nunjucks prints them alike), e.g. `value: 3`.
pub(crate) fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<AttributeValue>::deserialize(d)?.map(|v| v.to_string()))
}
